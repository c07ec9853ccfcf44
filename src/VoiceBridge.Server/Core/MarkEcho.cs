namespace VoiceBridge.Server.Core;

/// <summary>What an echoed mark meant.</summary>
internal enum MarkEchoKind
{
    /// <summary>Audio up to the mark has played; <see cref="MarkEcho.PlayedMs"/> of <see cref="MarkEcho.ItemId"/> were heard.</summary>
    Played = 0,

    /// <summary>The echo of a mark whose audio we cleared: Twilio returns pending marks on <c>clear</c>
    /// (docs/protocols/twilio-media-streams.md#mark-echoes). Not played.</summary>
    Cleared,

    /// <summary>A name we never sent, or already acknowledged.</summary>
    Unknown,
}

/// <summary>The outcome of a mark echo.</summary>
internal readonly record struct MarkEcho(MarkEchoKind Kind, string? ItemId = null, int PlayedMs = 0);
