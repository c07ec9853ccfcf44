namespace VoiceBridge.Server.Tools;

/// <summary>What the bridge does once the model's reply to a tool result has been heard (mark-confirmed).</summary>
internal enum AfterReply
{
    /// <summary>Nothing: the conversation goes on.</summary>
    Nothing = 0,

    /// <summary>Close the stream, which ends the Twilio call (no TwiML follows our &lt;Connect&gt;, twilio.md §7).</summary>
    HangUp,

    /// <summary>Redirect the Twilio call to <see cref="ToolResult.TransferTo"/> with a REST call update (twilio.md §8).</summary>
    Transfer,
}
