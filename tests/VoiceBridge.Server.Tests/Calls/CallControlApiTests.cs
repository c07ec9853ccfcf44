using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;
using VoiceBridge.Server.Tests.Tools;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Calls;

/// <summary>The call control API end to end: the real host, a phone call over its media endpoint, a fake Twilio REST API on loopback.</summary>
public sealed class CallControlApiTests : IDisposable
{
    private const string AdminKey = "admin-key-for-tests-0123456789abcdef";
    private const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    private const string AuthToken = "twilio-auth-token-for-tests";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private readonly string _auditDirectory = Directory.CreateTempSubdirectory("voicebridge-control-").FullName;
    private readonly ScriptedUpstream _upstream = new();

    [Fact]
    public async Task Operator_ChangesInstructions_MakesTheAssistantSpeak_TransfersAndHangsUp()
    {
        var twilioAnswers = new Queue<int>([StatusCodes.Status503ServiceUnavailable, StatusCodes.Status200OK]);
        await using var twilio = await LoopbackHttpServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = twilioAnswers.Dequeue();
            return context.Response.WriteAsync("{\"sid\":\"" + CallSid + "\",\"status\":\"in-progress\"}");
        });
        using var factory = Host(twilio.BaseAddress);
        using var admin = AdminClient(factory);
        using var phone = await PhoneCallClient.ConnectAsync(factory, AuthToken, CallSid);
        Assert.Equal("session.update", (await _upstream.NextAsync())["type"]!.GetValue<string>());

        var listed = Assert.Single((await admin.GetFromJsonAsync<JsonArray>("/calls", TestContext.Current.CancellationToken))!);
        Assert.Equal(CallSid, listed!["id"]!.GetValue<string>());
        Assert.Equal("live", listed["state"]!.GetValue<string>());

        using (var response = await PostAsync(admin, $"/calls/{CallSid}/instructions", """{"instructions":"Speak French from now on."}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var update = await _upstream.NextControlAsync();
        Assert.Equal("session.update", update["type"]!.GetValue<string>());
        Assert.Equal("realtime", update["session"]!["type"]!.GetValue<string>());
        Assert.Equal("Speak French from now on.", update["session"]!["instructions"]!.GetValue<string>());

        using (var response = await PostAsync(admin, $"/calls/{CallSid}/say", """{"text":"Your table is \"ready\"."}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var say = await _upstream.NextControlAsync();
        Assert.Equal("response.create", say["type"]!.GetValue<string>());
        Assert.EndsWith("\n\nYour table is \"ready\".", say["response"]!["instructions"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(CallController.SayTag, say["response"]!["metadata"]!["voicebridge"]!.GetValue<string>());

        // Twilio's first answer is a 503: the resilience handler retries once.
        using (var response = await PostAsync(admin, $"/calls/{CallSid}/transfer", """{"to":"+14155550123"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("transferred", (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["state"]!.GetValue<string>());
        }

        var first = await twilio.NextAsync();
        var retry = await twilio.NextAsync();
        Assert.Equal($"/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json", retry.PathAndQuery);
        Assert.Equal(first.Body, retry.Body);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(AccountSid + ":" + AuthToken)), retry.Headers["Authorization"]);
        Assert.Contains("<Dial>+14155550123</Dial>", retry.Form()["Twiml"], StringComparison.Ordinal);

        using (var response = await PostAsync(admin, $"/calls/{CallSid}/hangup", string.Empty))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        while (await phone.ReceiveAsync() is not null)
        {
        }

        Assert.Equal(WebSocketCloseStatus.NormalClosure, phone.Socket.CloseStatus);

        // Every action is in the call's audit trail with the admin key's id, never the key.
        await factory.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var trail = await admin.GetStringAsync(new Uri($"/calls/{CallSid}/audit", UriKind.Relative), TestContext.Current.CancellationToken);
        var controls = trail.Split('\n').Where(line => line.Contains("bridge.control", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, controls.Count);
        Assert.All(controls, line => Assert.Contains("\"admin_key_id\":\"" + AdminKeyId.Of(AdminKey) + "\"", line, StringComparison.Ordinal));
        Assert.DoesNotContain(AdminKey, trail, StringComparison.Ordinal);
        Assert.Contains("ended_by_bridge", trail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("instructions", """{"instructions":"x"}""")]
    [InlineData("say", """{"text":"x"}""")]
    [InlineData("hangup", "")]
    [InlineData("transfer", """{"to":"+14155550123"}""")]
    public async Task ActionOnAnUnknownCall_Is404(string action, string body)
    {
        using var factory = Host(new Uri("http://127.0.0.1:9/"));
        using var admin = AdminClient(factory);

        using var response = await PostAsync(admin, $"/calls/CAnotlive/{action}", body);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Outbound_CreatesATwilioCallWhoseStreamCarriesTheInstructions()
    {
        const string OutboundSid = "CAbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        await using var twilio = await LoopbackHttpServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status201Created;
            return context.Response.WriteAsync("{\"sid\":\"" + OutboundSid + "\",\"status\":\"queued\"}");
        });
        using var factory = Host(twilio.BaseAddress);
        using var admin = AdminClient(factory);

        using (var response = await PostAsync(admin, "/calls/outbound", """{"to":"+14155550100","from":"+15005550006","instructions":"Remind them of tomorrow's appointment."}"""))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(OutboundSid, (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["call_sid"]!.GetValue<string>());
        }

        var create = await twilio.NextAsync();
        Assert.Equal($"/2010-04-01/Accounts/{AccountSid}/Calls.json", create.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(AccountSid + ":" + AuthToken)), create.Headers["Authorization"]);
        var form = create.Form();
        Assert.Equal("+14155550100", form["To"]);
        Assert.Equal("+15005550006", form["From"]);
        Assert.Equal(PhoneCallClient.PublicBaseUrl + TwilioUrls.VoicePath, form["Url"]);

        // The callee answers: Twilio asks the signed webhook for TwiML, then opens the stream with its call token.
        var token = await AnswerWebhookAsync(factory, OutboundSid, form["Url"]);
        using var phone = await PhoneCallClient.ConnectAsync(factory, AuthToken, OutboundSid, token);
        Assert.Equal("session.update", (await _upstream.NextAsync())["type"]!.GetValue<string>());
        var instructions = await _upstream.NextControlAsync();
        Assert.Equal("Remind them of tomorrow's appointment.", instructions["session"]!["instructions"]!.GetValue<string>());
    }

    [Fact]
    public async Task OutboundRefusedWithA5xx_IsNotRetried()
    {
        await using var twilio = await LoopbackHttpServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return context.Response.WriteAsync("""{"code":20500,"message":"Internal Server Error"}""");
        });
        using var factory = Host(twilio.BaseAddress);
        using var admin = AdminClient(factory);

        using var response = await PostAsync(admin, "/calls/outbound", """{"to":"+14155550100","from":"+15005550006"}""");

        // A lost answer may still have placed the call; a retry would ring the callee twice.
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(1, twilio.RequestCount);
    }

    public void Dispose() => Directory.Delete(_auditDirectory, recursive: true);

    private WebApplicationFactory<Program> Host(Uri twilioApi, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Audit:Directory", _auditDirectory);
            host.UseSetting("Audit:AdminKeys:0", AdminKey);
            host.UseSetting("Twilio:AccountSid", AccountSid);
            host.UseSetting("Twilio:AuthToken", AuthToken);
            host.UseSetting("Twilio:ApiBaseUrl", twilioApi.ToString());
            host.UseSetting("Twilio:PublicBaseUrl", PhoneCallClient.PublicBaseUrl);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            host.ConfigureServices(services => services.AddSingleton<IRealtimeConnector>(_upstream));
        });

    private static HttpClient AdminClient(WebApplicationFactory<Program> factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json) =>
        client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    // Twilio's webhook request for an answered outbound call, signed; returns the call token from the TwiML.
    private static async Task<string> AnswerWebhookAsync(WebApplicationFactory<Program> factory, string callSid, string url)
    {
        KeyValuePair<string, string>[] form =
            [new("AccountSid", AccountSid), new("CallSid", callSid), new("CallStatus", "in-progress"), new("Direction", "outbound-api"), new("From", "+15005550006"), new("To", "+14155550100")];
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, TwilioUrls.VoicePath) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-Twilio-Signature", TwilioSignature.Compute(AuthToken, url, form));
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var twiml = XDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return twiml.Root!.Element("Connect")!.Element("Stream")!.Element("Parameter")!.Attribute("value")!.Value;
    }
}
