using System.Xml;
using System.Xml.Linq;

namespace VoiceBridge.Cli.Call;

/// <summary>The <c>&lt;Connect&gt;&lt;Stream url&gt;</c> of a TwiML answer and its <c>&lt;Parameter&gt;</c>s
/// (docs/protocols/twilio-media-streams.md#twiml-connect-and-stream).</summary>
internal sealed record TwimlStream(string Url, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    /// <summary>
    /// Null with a reason when the document is not XML or has no <c>Response/Connect/Stream[@url]</c>; then
    /// <paramref name="refusal"/> describes a document that declines the call (<c>&lt;Reject&gt;</c>, or
    /// <c>&lt;Say&gt;</c>/<c>&lt;Play&gt;</c> and <c>&lt;Hangup&gt;</c> with no stream), and is null otherwise.
    /// </summary>
    public static TwimlStream? TryParse(string xml, out string error, out string? refusal)
    {
        refusal = null;
        XDocument document;
        try
        {
            // No DTDs: TwiML never has one, and a hostile server must not make us resolve entities.
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            document = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            error = "the webhook answer is not XML: " + ex.Message;
            return null;
        }

        var stream = document.Root is { Name.LocalName: "Response" } root
            ? root.Elements("Connect").Elements("Stream").FirstOrDefault()
            : null;
        var url = stream?.Attribute("url")?.Value;
        if (stream is null || string.IsNullOrEmpty(url))
        {
            error = "the TwiML has no <Response><Connect><Stream url=…>";
            refusal = stream is null && document.Root is { Name.LocalName: "Response" } response ? Refusal(response) : null;
            return null;
        }

        var parameters = stream.Elements("Parameter")
            .Select(p => new KeyValuePair<string, string>(p.Attribute("name")?.Value ?? string.Empty, p.Attribute("value")?.Value ?? string.Empty))
            .Where(p => p.Key.Length > 0)
            .ToList();
        error = string.Empty;
        return new TwimlStream(url, parameters);
    }

    // Twilio's verbs for an answer that does not connect: <Reject> ends the call unanswered (reason "busy" or
    // "rejected"); <Hangup> ends it after whatever <Say> or <Play> came first.
    private static string? Refusal(XElement response)
    {
        if (response.Element("Reject") is { } reject)
        {
            return $"busy: the bridge rejected the call (TwiML <Reject reason=\"{reject.Attribute("reason")?.Value ?? "rejected"}\">)";
        }

        if (response.Element("Hangup") is null)
        {
            return null;
        }

        var said = string.Join(" ", response.Elements("Say").Select(say => say.Value.Trim()).Where(text => text.Length > 0));
        return said.Length > 0
            ? $"busy: the bridge declined the call (TwiML <Say>, <Hangup>): \"{said}\""
            : "busy: the bridge declined the call (TwiML <Hangup>)";
    }
}
