using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Tests.Audit;

[JsonSerializable(typeof(BargeIn))]
internal sealed partial class AuditTestJsonContext : JsonSerializerContext;
