using System.Xml;
using System.Xml.Linq;

namespace VoiceBridge.Cli.Call;

/// <summary>The <c>&lt;Connect&gt;&lt;Stream url&gt;</c> of a TwiML answer and its <c>&lt;Parameter&gt;</c>s
/// (docs/protocols/twilio-media-streams.md#twiml-connect-and-stream).</summary>
internal sealed record TwimlStream(string Url, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    /// <summary>Null with a reason when the document is not XML or has no <c>Response/Connect/Stream[@url]</c>.</summary>
    public static TwimlStream? TryParse(string xml, out string error)
    {
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
            return null;
        }

        var parameters = stream.Elements("Parameter")
            .Select(p => new KeyValuePair<string, string>(p.Attribute("name")?.Value ?? string.Empty, p.Attribute("value")?.Value ?? string.Empty))
            .Where(p => p.Key.Length > 0)
            .ToList();
        error = string.Empty;
        return new TwimlStream(url, parameters);
    }
}
