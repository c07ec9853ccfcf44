namespace VoiceBridge.Cli.Call;

/// <summary>How a fake Twilio call ended.</summary>
public enum FakeTwilioCallOutcome
{
    /// <summary>All audio and the tail were sent, then the caller hung up (<c>stop</c>, close).</summary>
    Completed,

    /// <summary>The webhook answered with a non-success status (403 for a bad signature).</summary>
    WebhookRejected,

    /// <summary>The webhook could not be reached or timed out.</summary>
    WebhookFailed,

    /// <summary>The webhook answered something that is not <c>&lt;Connect&gt;&lt;Stream url&gt;</c> TwiML.</summary>
    InvalidTwiml,

    /// <summary>The stream URL refused the WebSocket upgrade or could not be reached.</summary>
    StreamRefused,

    /// <summary>The bridge closed the stream before the caller hung up (see the close status).</summary>
    ClosedByServer,

    /// <summary>The connection dropped without a close handshake.</summary>
    ConnectionLost,

    /// <summary>The run was cancelled by its owner.</summary>
    Cancelled,
}
