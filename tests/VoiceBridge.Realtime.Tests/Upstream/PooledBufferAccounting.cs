namespace VoiceBridge.Realtime.Tests.Upstream;

/// <summary>
/// Tests that compare the process-wide count of pooled messages (<c>RealtimeMessage.Outstanding</c>) before and after
/// run alone: another test's messages in flight meanwhile would move the count (it failed that way in a full run).
/// </summary>
[CollectionDefinition(nameof(PooledBufferAccounting), DisableParallelization = true)]
public sealed class PooledBufferAccounting;
