extern alias cli;

using cli::VoiceBridge.Cli.Call;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// Holds a fake call's hang-up until <paramref name="bytes"/> of reply audio have arrived (and, when given, until
/// <paramref name="generated"/> completes: the whole reply was generated), for at most <paramref name="limit"/>. On a
/// CPU-starved machine a reply can come seconds late; a caller hanging up on a fixed clock would miss it and the test
/// would measure the machine, not the bridge. When the reply came in time nothing waits; when it never comes, the
/// test's own assertion on the reply's length reports it.
/// </summary>
internal sealed class ReplyArrival(int bytes, TimeSpan limit, Task? generated = null) : FakeTwilioCallObserver
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _received;

    public override void OnMediaReceived(int count)
    {
        if (Interlocked.Add(ref _received, count) >= bytes)
        {
            _arrived.TrySetResult();
        }
    }

    public override async ValueTask BeforeHangUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_arrived.Task, generated ?? Task.CompletedTask).WaitAsync(limit, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Hang up anyway: the length assertion says how much came.
        }
    }
}
