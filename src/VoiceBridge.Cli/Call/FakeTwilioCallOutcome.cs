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

    /// <summary>
    /// The bridge answered the webhook without a stream: <c>&lt;Reject&gt;</c>, or <c>&lt;Say&gt;</c> then
    /// <c>&lt;Hangup&gt;</c> (VoiceBridge's answer while it is at capacity, draining or cannot audit). An ordinary
    /// ending: the caller heard the message and the call ended.
    /// </summary>
    Busy,

    /// <summary>The webhook answered something that is neither <c>&lt;Connect&gt;&lt;Stream url&gt;</c> nor a refusal.</summary>
    InvalidTwiml,

    /// <summary>The stream URL refused the WebSocket upgrade or could not be reached.</summary>
    StreamRefused,

    /// <summary>
    /// The bridge hung up: it closed the stream normally (1000) before the caller did, e.g. the assistant ended the call
    /// (<c>end_call</c>), an idle hang-up, or an operator's. An ordinary ending.
    /// </summary>
    EndedByBridge,

    /// <summary>The bridge closed the stream with an error status (policy violation, upstream unavailable, shutting down…).</summary>
    ClosedByServer,

    /// <summary>The connection dropped without a close handshake.</summary>
    ConnectionLost,

    /// <summary>The run was cancelled by its owner.</summary>
    Cancelled,
}
