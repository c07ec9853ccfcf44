namespace VoiceBridge.Cli.Call;

/// <summary>What <c>voicebridge call</c> exits with, so a script can tell an ordinary ending from a fault.</summary>
internal static class CallExitCodes
{
    /// <summary>The call took place and ended normally: the caller hung up after the audio, or the bridge hung up.</summary>
    public const int CallTookPlace = 0;

    /// <summary>Anything else: the webhook refused or failed, the stream was refused, closed with an error or lost.</summary>
    public const int Failed = 1;

    /// <summary>A bad option or input file; nothing was sent.</summary>
    public const int BadArguments = 2;

    /// <summary>The bridge answered busy (TwiML <c>&lt;Say&gt;</c> + <c>&lt;Hangup&gt;</c> or <c>&lt;Reject&gt;</c>): try again later.</summary>
    public const int Busy = 3;
}
