namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// Tests that count process-wide pooled messages (<c>RealtimeMessage.Outstanding</c>) run alone, so no other
/// test's messages are in flight while they compare the count before and after.
/// </summary>
[CollectionDefinition(nameof(PooledBufferAccounting), DisableParallelization = true)]
public sealed class PooledBufferAccounting;
