using System.Buffers;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// One call's events as its audit trail stores them: the choice of what to redact and how (<see cref="AuditRedactor"/>
/// for an event, <see cref="AuditTurnRedactor"/> for the running text of each kind of delta), in one place, so the trail
/// and anything that shows the call live (the operations dashboard) redact exactly alike. Deltas of one type are one
/// running text until any <c>.done</c> or <c>.completed</c> event; feed every non-audio event of the call in order (or,
/// for those of no use to you, at least <see cref="ResetRunningTexts"/> at each such end) for the carries to match the
/// trail's. Thread-safe.
/// </summary>
internal sealed class AuditEventRedaction(bool redact, bool dtmf)
{
    private readonly Dictionary<string, AuditTurnRedactor> _turns = [];

    /// <summary>
    /// The event as the trail stores it: null when it is stored as it came (nearly every event, decided by a byte scan),
    /// else its redacted copy. <paramref name="type"/> is the event's name (<see cref="AuditEventName.Read"/>).
    /// </summary>
    public byte[]? Redact(string type, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (redact && IsTextDelta(type))
        {
            // A card can be spoken across deltas: each delta type is redacted as one running text. Text deltas are a
            // few per second; audio never comes here.
            var redacted = new ArrayBufferWriter<byte>();
            if (AuditRedactor.TryRedactJson(message, text: true, dtmf, redacted, Turn(type)))
            {
                return redacted.WrittenSpan.ToArray();
            }
        }
        else if (EndsRunningTexts(type))
        {
            ResetRunningTexts();
        }

        if (AuditRedactor.NeedsRedaction(message, redact, dtmf))
        {
            // Rare (a transcript with a long digit run, a key press, Twilio's start): allocating here is fine.
            var redacted = new ArrayBufferWriter<byte>();
            if (AuditRedactor.TryRedactJson(message, redact, dtmf, redacted))
            {
                return redacted.WrittenSpan.ToArray();
            }
        }

        return null;
    }

    /// <summary>
    /// What a <c>.done</c> or <c>.completed</c> event does to the running texts (they start again), for a caller that
    /// does not pass such an event through <see cref="Redact"/> because it has no use for its redacted copy.
    /// </summary>
    public void ResetRunningTexts()
    {
        lock (_turns)
        {
            foreach (var turn in _turns.Values)
            {
                turn.Reset();
            }
        }
    }

    /// <summary>Whether an event of this name starts the running texts again (any <c>.done</c> or <c>.completed</c>).</summary>
    public static bool EndsRunningTexts(string type) =>
        type.EndsWith(".done", StringComparison.Ordinal) || type.EndsWith(".completed", StringComparison.Ordinal);

    private static bool IsTextDelta(string type) =>
        type is "response.output_audio_transcript.delta" or "response.output_text.delta" or "conversation.item.input_audio_transcription.delta";

    private AuditTurnRedactor Turn(string type)
    {
        lock (_turns)
        {
            if (!_turns.TryGetValue(type, out var turn))
            {
                _turns.Add(type, turn = new AuditTurnRedactor());
            }

            return turn;
        }
    }
}
