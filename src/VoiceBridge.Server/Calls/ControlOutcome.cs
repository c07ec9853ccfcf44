namespace VoiceBridge.Server.Calls;

/// <summary>What a control action came to: an HTTP status, and the call's state (success) or why not (failure).</summary>
internal sealed record ControlOutcome(int Status, string? State = null, string? Error = null)
{
    public bool Succeeded => Status is >= 200 and < 300;

    public static ControlOutcome NoLiveCall(string callId) => new(StatusCodes.Status404NotFound, Error: $"No live call '{callId}'.");
}
