namespace VoiceBridge.EndToEnd.Tests.Faults;

/// <summary>
/// Fault tests count pooled frames (RealtimeMessage.Outstanding, process-wide): they run alone, so no other test's
/// frames are in the count.
/// </summary>
[CollectionDefinition(nameof(UpstreamFaultGroup), DisableParallelization = true)]
public sealed class UpstreamFaultGroup;
