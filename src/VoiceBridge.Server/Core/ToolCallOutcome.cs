namespace VoiceBridge.Server.Core;

/// <summary>How a server-side tool call ended.</summary>
internal enum ToolCallOutcome
{
    /// <summary>The tool did its job; its output went to the model.</summary>
    Succeeded = 0,

    /// <summary>The tool failed (invalid arguments, an error, a timeout); the model got an error output.</summary>
    Failed,

    /// <summary>The call ended while the tool ran; nobody was left to answer.</summary>
    Abandoned,
}
