namespace VoiceBridge.Server.Audit;

/// <summary>One group commit's fsyncs, shared out among <see cref="AuditFlushWorkers"/> by index.</summary>
internal sealed class AuditFlushBatch(int count, Action<int> flush)
{
    private readonly int _count = count;
    private int _next = -1;
    private int _remaining = count;

    /// <summary>Completes when every index was flushed; faults if a flush threw something unexpected.</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Takes indices until none is left (called by each woken worker).</summary>
    public void Work()
    {
        int index;
        while ((index = Interlocked.Increment(ref _next)) < _count)
        {
            try
            {
                flush(index);
            }
#pragma warning disable CA1031 // A worker thread must not die of it: the commit that waits fails instead.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Done.TrySetException(ex);
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                Done.TrySetResult();
            }
        }
    }
}
