using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Simulator.Calls;

namespace VoiceBridge.Realtime.Tests.Simulator.Calls;

/// <summary>A caller's media on a simulated direct call: what the model sent, with when it came.</summary>
internal sealed class RecordingMedia : ISimulatorMedia
{
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _audio;

    public ConcurrentQueue<(string Type, JsonObject Event, long At)> Events { get; } = new();

    public long AudioBytes => Interlocked.Read(ref _audio);

    public int Clears;

    public Task<string> Ended => _ended.Task;

    public void OnAudio(ReadOnlySpan<byte> pcm) => Interlocked.Add(ref _audio, pcm.Length);

    public void OnEvent(ReadOnlySpan<byte> json)
    {
        var parsed = JsonNode.Parse(Encoding.UTF8.GetString(json))!.AsObject();
        Events.Enqueue((parsed["type"]!.GetValue<string>(), parsed, Stopwatch.GetTimestamp()));
    }

    public void OnClear() => Interlocked.Increment(ref Clears);

    public void OnEnded(string reason) => _ended.TrySetResult(reason);

    public string[] Types() => [.. Events.Select(e => e.Type)];
}
