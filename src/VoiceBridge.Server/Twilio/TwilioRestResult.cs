namespace VoiceBridge.Server.Twilio;

/// <summary>The outcome of a Twilio REST request: success with the call's SID and status, or why not (a value, not an exception).</summary>
internal sealed record TwilioRestResult(bool Succeeded, int? HttpStatus, string? CallSid, string? CallStatus, string? Error)
{
    public static TwilioRestResult Failed(int? httpStatus, string error) => new(false, httpStatus, null, null, error);
}
