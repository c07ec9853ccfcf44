using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Simulator.Calls;

namespace VoiceBridge.Server.Tests.Direct;

/// <summary>The caller's end of a simulated direct call in a test: records what the model sent (audio, data channel events).</summary>
internal sealed class TestMedia : ISimulatorMedia
{
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(Func<JsonObject, bool> Match, TaskCompletionSource Done)> _waiters = [];
    private long _audio;

    public ConcurrentQueue<JsonObject> Events { get; } = new();

    public long AudioBytes => Interlocked.Read(ref _audio);

    public int Clears;

    public Task<string> Ended => _ended.Task;

    public void OnAudio(ReadOnlySpan<byte> pcm) => Interlocked.Add(ref _audio, pcm.Length);

    public void OnEvent(ReadOnlySpan<byte> json)
    {
        var parsed = JsonNode.Parse(Encoding.UTF8.GetString(json))!.AsObject();
        Events.Enqueue(parsed);
        lock (_waiters)
        {
            // In arrival order, so a predicate may keep state across events ("this one after that one").
            _waiters.RemoveAll(waiter => waiter.Match(parsed) && waiter.Done.TrySetResult());
        }
    }

    /// <summary>Completes when an event arriving from now on matches (called in arrival order; register before the action).</summary>
    public Task WhenEvent(Func<JsonObject, bool> match)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((match, done));
        }

        return done.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
    }

    public void OnClear() => Interlocked.Increment(ref Clears);

    public void OnEnded(string reason) => _ended.TrySetResult(reason);
}
