using System.Security;
using System.Text;

namespace VoiceBridge.Server.Twilio;

/// <summary>The TwiML documents the bridge answers with.</summary>
internal static class Twiml
{
    /// <summary>The parameter name carrying the per-call token into the stream's <c>start.customParameters</c>.</summary>
    public const string CallTokenParameter = "callToken";

    /// <summary>
    /// <c>&lt;Connect&gt;&lt;Stream&gt;</c>: a bidirectional stream that blocks the document until we close the
    /// socket (docs/protocols/twilio-media-streams.md#twiml-connect-and-stream). The token travels as a
    /// <c>&lt;Parameter&gt;</c> because the stream URL must not carry a query string. Attribute values are XML-escaped:
    /// a raw '&amp;' makes Twilio reject the document.
    /// </summary>
    public static string ConnectStream(string streamUrl, string callToken)
    {
        var xml = new StringBuilder(256)
            .Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            .Append("<Response><Connect><Stream url=\"").Append(SecurityElement.Escape(streamUrl)).Append("\">")
            .Append("<Parameter name=\"").Append(CallTokenParameter).Append("\" value=\"").Append(SecurityElement.Escape(callToken)).Append("\"/>")
            .Append("</Stream></Connect></Response>");
        return xml.ToString();
    }

    /// <summary>A bare hang-up: the answer to a replayed webhook of a live call.</summary>
    public static string HangUp() => "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>";

    /// <summary>A refused call: the caller hears <paramref name="message"/>, then Twilio hangs up.</summary>
    public static string SayAndHangUp(string message) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>" + SecurityElement.Escape(message) + "</Say><Hangup/></Response>";

    /// <summary>
    /// <c>&lt;Dial&gt;</c> to a number: given to a live call through a REST update, it replaces the running
    /// <c>&lt;Connect&gt;&lt;Stream&gt;</c> and connects the caller there
    /// (docs/protocols/twilio-media-streams.md#ending-or-transferring-a-call-over-rest).
    /// </summary>
    public static string Dial(string number) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial>" + SecurityElement.Escape(number) + "</Dial></Response>";
}
