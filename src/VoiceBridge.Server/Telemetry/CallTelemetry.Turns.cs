using System.Diagnostics;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Server.Telemetry;

internal sealed partial class CallTelemetry
{
    private long Now() => _context?.Time.GetTimestamp() ?? Stopwatch.GetTimestamp();

    private TimeSpan Elapsed(long since) => _context?.Time.GetElapsedTime(since) ?? Stopwatch.GetElapsedTime(since);

    // input_audio_buffer.speech_stopped: the caller finished speaking, the clock of this turn starts.
    private void BeginTurn()
    {
        lock (_lock)
        {
            EndTurn("superseded");
            _turnNumber++;
            _speechStoppedAt = Now();
            _responseSinceSpeechStopped = false;
            _firstAudioAt = 0;
            _firstMarkOfTurn = -1;
            _turnResponseDone = false;
            _heard = false;
            _turnInputTokens = 0;
            _turnOutputTokens = 0;
            _turn = StartChild(VoiceBridgeActivity.Turn);
            _turn?.SetTag("voicebridge.turn.number", _turnNumber);
            _awaitingFirstAudio = 1;
        }
    }

    private void OnFirstAudio()
    {
        TimeSpan latency;
        int turn;
        lock (_lock)
        {
            // Audio still streaming from a response created before the caller spoke is not this turn's answer.
            if (_awaitingFirstAudio == 0 || !_responseSinceSpeechStopped)
            {
                return;
            }

            _awaitingFirstAudio = 0;
            _firstAudioAt = Now();
            latency = Elapsed(_speechStoppedAt);
            turn = _turnNumber;
            var budget = _direct ? _context?.DirectFirstAudioSloMs : _context?.FirstAudioSloMs;
            var overBudget = latency.TotalMilliseconds > (budget ?? double.MaxValue);
            _metrics?.FirstAudioLatency.Record(latency.TotalSeconds, _transportTags);
            _metrics?.Turns.Add(1, _transportTags);
            if (overBudget)
            {
                _metrics?.TurnsOverSlo.Add(1, _transportTags);
            }

            if (_turn is not null)
            {
                _turn.SetTag("voicebridge.turn.first_audio_ms", Math.Round(latency.TotalMilliseconds, 1));
                _turn.SetTag("voicebridge.turn.slo_exceeded", overBudget);
            }

            if (_context is { } context)
            {
                LogFirstAudio(context.Logger, _callId, _turnNumber, latency.TotalMilliseconds, overBudget);
            }
        }

        // Outside the lock: the other observers take their own.
        _live?.Observers.OnTurnFirstAudio(turn, latency);
    }

    private void OnSpeechStarted()
    {
        lock (_lock)
        {
            // Barge-in: the caller speaks over a response being generated, or over audio Twilio has not played yet
            // (marks sent but not echoed).
            if (!_responseActive && _lastMarkSent <= _lastMarkEchoed)
            {
                return;
            }

            _metrics?.BargeIns.Add(1, _transportTags);
            using (var span = StartChild(VoiceBridgeActivity.BargeIn))
            {
                span?.SetTag("voicebridge.turn.number", _turnNumber);
                span?.SetTag("voicebridge.bargein.response_active", _responseActive);
            }

            _turn?.SetTag("voicebridge.turn.interrupted", true);
            EndTurn(null);
        }
    }

    private void OnResponseDone(ReadOnlySpan<byte> json)
    {
        RealtimeUsage? usage = null;
        string? status = null;
        if (RealtimeEventSerializer.TryParse(json, out var parsed) && parsed is ResponseDoneEvent { Response: { } response })
        {
            usage = response.Usage;
            status = response.Status;
        }

        if (usage is not null)
        {
            RecordUsage(usage);
        }

        lock (_lock)
        {
            _responseActive = false;
            if (_turn is null)
            {
                return;
            }

            _turnInputTokens += usage?.InputTokens ?? 0;
            _turnOutputTokens += usage?.OutputTokens ?? 0;
            _turn.SetTag("voicebridge.response.status", status);
            if (_firstAudioAt == 0)
            {
                // A response without audio (a function call): the turn goes on until the answer that speaks.
                return;
            }

            // The turn's duration ends here even when the span is kept open for the heard latency.
            _turnResponseDone = true;
            _turn.SetEndTime(DateTime.UtcNow);
            if (_heard || _lastMarkSent < 0)
            {
                EndTurn(null);
            }
        }
    }

    private void RecordUsage(RealtimeUsage usage)
    {
        if (_metrics is not { } metrics || _context is not { } context)
        {
            return;
        }

        var model = context.Model;
        var inText = usage.InputTokenDetails?.TextTokens ?? 0;
        var inAudio = usage.InputTokenDetails?.AudioTokens ?? 0;
        var cached = usage.InputTokenDetails?.CachedTokens ?? 0;
        var outText = usage.OutputTokenDetails?.TextTokens ?? 0;
        var outAudio = usage.OutputTokenDetails?.AudioTokens ?? 0;
        AddTokens(metrics, model, "input", "text", inText);
        AddTokens(metrics, model, "input", "audio", inAudio);
        AddTokens(metrics, model, "output", "text", outText);
        AddTokens(metrics, model, "output", "audio", outAudio);
        if (context.Price is { } price)
        {
            // Cached tokens are a subset of the input; the realtime API caches the conversation so far, mostly audio:
            // they are taken off the audio count first.
            var cachedAudio = Math.Min(cached, inAudio);
            var cachedText = Math.Min(cached - cachedAudio, inText);
            var cost = ((inText - cachedText) * price.InputText
                + (inAudio - cachedAudio) * price.InputAudio
                + (cachedAudio + cachedText) * price.CachedInput
                + outText * price.OutputText
                + outAudio * price.OutputAudio) / 1_000_000;
            metrics.Cost.Add(cost, new TagList { { "gen_ai.request.model", model } });
        }
    }

    private static void AddTokens(VoiceBridgeMetrics metrics, string model, string direction, string modality, int count)
    {
        if (count > 0)
        {
            metrics.Tokens.Add(count, new TagList
            {
                { "gen_ai.request.model", model },
                { "gen_ai.token.type", direction },
                { "voicebridge.modality", modality },
            });
        }
    }

    // Under _lock. A null status is a normal end.
    private void EndTurn(string? status)
    {
        _awaitingFirstAudio = 0;
        if (_turn is not { } turn)
        {
            return;
        }

        _turn = null;
        turn.SetTag("gen_ai.usage.input_tokens", _turnInputTokens);
        turn.SetTag("gen_ai.usage.output_tokens", _turnOutputTokens);
        if (status is not null && !_turnResponseDone)
        {
            turn.SetTag("voicebridge.turn.end", status);
        }

        turn.Stop();
    }

    // A child of the call span that does not become current: turns start in one event and end in another, on a loop
    // whose Activity.Current must stay the call span.
    private Activity? StartChild(string name)
    {
        if (_call is null)
        {
            return null;
        }

        var previous = Activity.Current;
        var child = VoiceBridgeActivity.Source.StartActivity(name, ActivityKind.Internal, _call.Context);
        Activity.Current = previous;
        return child;
    }
}
