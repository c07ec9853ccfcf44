using VoiceBridge.Server.Calls;

namespace VoiceBridge.Server.Cluster;

/// <summary>The owner's answer to a <see cref="ControlEnvelope"/>.</summary>
internal sealed record ControlReply(string RequestId, ControlOutcome Outcome);
