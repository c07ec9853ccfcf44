using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tools;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>Builds the call-control services a session gets in the host, for component tests.</summary>
internal static class ControlServices
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "twilio-auth-token-for-tests";

    public const string OrderSchema =
        """{"type":"object","properties":{"order_number":{"type":"string"}},"required":["order_number"],"additionalProperties":false}""";

    public static CallControlServices Create(
        IEnumerable<ITool>? tools = null,
        SessionOptions? session = null,
        Uri? twilioApi = null,
        TimeProvider? time = null,
        string? transferNumber = null)
    {
        var clock = time ?? TimeProvider.System;
        var all = new List<ITool> { new EndCallTool() };
        if (transferNumber is not null)
        {
            all.Add(new TransferCallTool(transferNumber));
        }

        all.AddRange(tools ?? []);
        var twilioOptions = Options.Create(new TwilioOptions { AccountSid = AccountSid, AuthToken = AuthToken, ApiBaseUrl = twilioApi ?? new Uri("http://127.0.0.1:9/") });
#pragma warning disable CA2000 // Lives as long as the test's services.
        var http = new HttpClient { BaseAddress = new Uri(twilioOptions.Value.ApiBaseUrl.ToString().TrimEnd('/') + "/") };
#pragma warning restore CA2000
        return new CallControlServices(
            new ToolCatalog(all),
            new TwilioRestClient(http, twilioOptions, NullLogger<TwilioRestClient>.Instance),
            new OutboundCalls(clock),
            Options.Create(session ?? new SessionOptions()),
            clock,
            NullLoggerFactory.Instance);
    }

    /// <summary>An HTTP tool named <paramref name="name"/> posting to <paramref name="endpoint"/>.</summary>
    public static HttpTool HttpTool(string name, Uri endpoint, double timeoutSeconds = 5, string schema = OrderSchema)
    {
        var options = new HttpToolOptions { Description = "Looks up an order.", Endpoint = endpoint, TimeoutSeconds = timeoutSeconds };
        options.Headers["Authorization"] = "Bearer tool-secret";
        using var parameters = JsonDocument.Parse(schema);
#pragma warning disable CA2000 // Lives as long as the test's services.
        return new HttpTool(name, options, parameters.RootElement.Clone(), new HttpClient(), TimeProvider.System, NullLogger.Instance);
#pragma warning restore CA2000
    }
}
