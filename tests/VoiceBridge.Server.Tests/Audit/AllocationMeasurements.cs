namespace VoiceBridge.Server.Tests.Audit;

/// <summary>
/// Allocation measurements run alone: pooled buffers come from ArrayPool.Shared, whose per-core stacks other tests
/// running at the same time can empty, which would make a pool miss look like an allocation of the measured path.
/// </summary>
[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;
