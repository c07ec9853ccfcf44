using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Simulator.Calls;

namespace VoiceBridge.Server.Tests.Direct;

/// <summary>The caller's end of a simulated direct call in a test: records what the model sent (audio, data channel events).</summary>
internal sealed class TestMedia : ISimulatorMedia
{
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _audio;

    public ConcurrentQueue<JsonObject> Events { get; } = new();

    public long AudioBytes => Interlocked.Read(ref _audio);

    public int Clears;

    public Task<string> Ended => _ended.Task;

    public void OnAudio(ReadOnlySpan<byte> pcm) => Interlocked.Add(ref _audio, pcm.Length);

    public void OnEvent(ReadOnlySpan<byte> json) => Events.Enqueue(JsonNode.Parse(Encoding.UTF8.GetString(json))!.AsObject());

    public void OnClear() => Interlocked.Increment(ref Clears);

    public void OnEnded(string reason) => _ended.TrySetResult(reason);
}
