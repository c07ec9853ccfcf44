using System.Text.Json;

namespace VoiceBridge.Server.Twilio;

/// <summary>Reads the <c>start</c> message into a <see cref="TwilioStart"/>; failures are values.</summary>
internal static class TwilioStartReader
{
    public static TwilioStart? TryRead(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var start = JsonSerializer.Deserialize(utf8Json, TwilioJsonContext.Default.TwilioStart);
            return start?.Start is { CallSid.Length: > 0 } ? start : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
