namespace VoiceBridge.Server.Tests.Audit;

internal sealed record BargeIn(int TruncatedAtMs);
