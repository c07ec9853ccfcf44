using System.Net;
using System.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceBridge.Cli.Tests.Call;

/// <summary>
/// A minimal bridge on a loopback port for testing the fake Twilio caller: answers the webhook with Connect/Stream
/// TwiML (or <paramref name="twiml"/> when given), accepts the media socket and runs a test script against it, then reads
/// until the caller closes.
/// </summary>
internal sealed class ScriptedBridge(Func<BridgePeer, Task> script, string? twiml = null) : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = null!;

    public string? WebhookSignature { get; private set; }

    public IReadOnlyDictionary<string, string> WebhookForm { get; private set; } = new Dictionary<string, string>();

    public string? UpgradeSignature { get; private set; }

    public BridgePeer? Peer { get; private set; }

    public string StreamUrl => $"ws://127.0.0.1:{BaseUri.Port}/media";

    public TaskCompletionSource ScriptDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/twilio/voice", async context =>
        {
            WebhookSignature = context.Request.Headers["X-Twilio-Signature"].ToString();
            var form = await context.Request.ReadFormAsync();
            WebhookForm = form.ToDictionary(f => f.Key, f => f.Value.ToString());
            context.Response.ContentType = "text/xml";
            await context.Response.WriteAsync(twiml ??
                $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Connect><Stream url=\"{SecurityElement.Escape(StreamUrl)}\">"
                + "<Parameter name=\"callToken\" value=\"tok&amp;1\"/></Stream></Connect></Response>");
        });
        app.Map("/media", async context =>
        {
            UpgradeSignature = context.Request.Headers["X-Twilio-Signature"].ToString();
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var peer = new BridgePeer(socket);
            Peer = peer;
            try
            {
                await script(peer);
                ScriptDone.TrySetResult();
            }
            catch (Exception ex)
            {
                ScriptDone.TrySetException(ex);
            }

            await peer.DrainAsync();
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        _app = app;
        BaseUri = new Uri(app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
