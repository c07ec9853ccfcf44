using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// An upstream the test drives by hand, speaking the GA wire protocol as JSON frames: the test pushes server
/// events and reads the client events the session sent. Stands in for OpenAI, which tests cannot reach.
/// </summary>
internal sealed class ScriptedUpstream : IRealtimeConnector, IRealtimeConnection
{
    private readonly Channel<RealtimeReceiveResult> _serverEvents = Channel.CreateUnbounded<RealtimeReceiveResult>();
    private readonly Channel<string> _clientEvents = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Connects { get; private set; }

    public UpstreamEnd? RefuseWith { get; init; }

    public Task Closed => _closed.Task;

    public long DroppedAudioMessages => 0;

    public ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        Connects++;
        return ValueTask.FromResult(RefuseWith is { } refusal ? RealtimeConnectResult.Failed(refusal) : RealtimeConnectResult.Connected(this));
    }

    /// <summary>Answer the server policy's session.update with session.updated, as a real upstream does (default on).</summary>
    public bool ConfirmsSession { get; init; } = true;

    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        using (message)
        {
            var json = Encoding.UTF8.GetString(message.Span);
            // The confirmation is queued before the test can see the session.update: a test that reacts to it by
            // pushing events puts them behind the confirmation, as they would be on a real session (pushed after it,
            // a reconnect's settle read and dropped the test's event, and the test waited for it for ever).
            if (ConfirmsSession && json.Contains("\"type\":\"session.update\"", StringComparison.Ordinal))
            {
                Push("""{"type":"session.updated","event_id":"e_updated","session":{"type":"realtime"}}""");
            }

            _clientEvents.Writer.TryWrite(json);
        }

        return ValueTask.FromResult(true);
    }

    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (!_serverEvents.Reader.TryPeek(out _))
        {
            // The session asks for more with nothing queued: it has handled every event pushed so far.
            Volatile.Read(ref _drained).TrySetResult();
        }

        return await _serverEvents.Reader.ReadAsync(cancellationToken);
    }

    /// <summary>
    /// A sync point for the session's upstream loop: completes once it has handled every event pushed before the call
    /// (a marker event is pushed behind them, so a loop already waiting must come back for more).
    /// </summary>
    public async Task DrainedAsync()
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        Push("""{"type":"rate_limits.updated","event_id":"sync","rate_limits":[]}""");
        await drained.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        _closed.TrySetResult();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _closed.TrySetResult();
        while (_serverEvents.Reader.TryRead(out var pending))
        {
            pending.Message.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Sends a server event to the session.</summary>
    public void Push(string json) =>
        _serverEvents.Writer.TryWrite(RealtimeReceiveResult.Received(RealtimeMessage.Copy(Encoding.UTF8.GetBytes(json), RealtimeMessageKind.Control)));

    public void PushEnd(UpstreamEnd end) => _serverEvents.Writer.TryWrite(RealtimeReceiveResult.Ended(end));

    /// <summary>The next client event the session sent, parsed.</summary>
    public async Task<JsonNode> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var json = await _clientEvents.Reader.ReadAsync(timeout.Token);
        return JsonNode.Parse(json)!;
    }

    /// <summary>The next client event whose type is not <c>input_audio_buffer.append</c>.</summary>
    public async Task<JsonNode> NextControlAsync()
    {
        while (true)
        {
            var next = await NextAsync();
            if (next["type"]!.GetValue<string>() != "input_audio_buffer.append")
            {
                return next;
            }
        }
    }

    public bool TryNext(out string json) => _clientEvents.Reader.TryRead(out json!);

    public void PushResponseCreated(string responseId) =>
        Push($$$"""{"type":"response.created","event_id":"e","response":{"id":"{{{responseId}}}","object":"realtime.response","status":"in_progress","output":[]}}""");

    public void PushResponseDone(string responseId) =>
        Push($$$"""{"type":"response.done","event_id":"e","response":{"id":"{{{responseId}}}","object":"realtime.response","status":"completed","output":[]}}""");

    public void PushAudioDelta(string responseId, string itemId, ReadOnlySpan<byte> audio) =>
        Push($$$"""{"type":"response.output_audio.delta","event_id":"e","response_id":"{{{responseId}}}","item_id":"{{{itemId}}}","output_index":0,"content_index":0,"delta":"{{{Convert.ToBase64String(audio)}}}"}""");

    public void PushSpeechStarted() =>
        Push("""{"type":"input_audio_buffer.speech_started","event_id":"e","audio_start_ms":1000,"item_id":"item_user"}""");
}
