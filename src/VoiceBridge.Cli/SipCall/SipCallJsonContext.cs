using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace VoiceBridge.Cli.SipCall;

[JsonSerializable(typeof(JsonObject))]
internal sealed partial class SipCallJsonContext : JsonSerializerContext;
