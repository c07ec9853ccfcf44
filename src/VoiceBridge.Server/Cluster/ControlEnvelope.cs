using VoiceBridge.Server.Calls;

namespace VoiceBridge.Server.Cluster;

/// <summary>A control action on its way to the call's owner: who to answer, under which request id.</summary>
internal sealed record ControlEnvelope(string RequestId, string ReplyTo, CallControlCommand Command);
