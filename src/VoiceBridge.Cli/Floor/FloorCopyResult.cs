namespace VoiceBridge.Cli.Floor;

/// <summary>How one direction of the floor's relay ended (a value, like YARP's <c>StreamCopyResult</c>).</summary>
internal enum FloorCopyResult
{
    /// <summary>The source sent a close frame; it was passed on to the destination.</summary>
    Closed,

    /// <summary>Reading the source failed (connection lost or aborted).</summary>
    SourceFailed,

    /// <summary>Writing the destination failed.</summary>
    DestinationFailed,

    /// <summary>The relay was cancelled (the other direction failed, or the server is stopping).</summary>
    Cancelled,
}
