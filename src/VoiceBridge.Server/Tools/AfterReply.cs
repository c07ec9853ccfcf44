namespace VoiceBridge.Server.Tools;

/// <summary>What the bridge does once the model's reply to a tool result has been heard (mark-confirmed).</summary>
internal enum AfterReply
{
    /// <summary>Nothing: the conversation goes on.</summary>
    Nothing = 0,

    /// <summary>Close the stream, which ends the Twilio call (no TwiML follows our &lt;Connect&gt;,
    /// docs/protocols/twilio-media-streams.md#frames-timing-and-closing).</summary>
    HangUp,

    /// <summary>Redirect the Twilio call to <see cref="ToolResult.TransferTo"/> with a REST call update
    /// (docs/protocols/twilio-media-streams.md#ending-or-transferring-a-call-over-rest).</summary>
    Transfer,
}
