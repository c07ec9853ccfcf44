using System.Net;
using System.Net.WebSockets;
using System.Security;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceBridge.Cli.Tests.Load;

/// <summary>
/// A bridge shaped like Twilio's Node sample, for driving the load tool without Node: its TwiML says
/// <c>&lt;Say&gt;</c>, <c>&lt;Pause&gt;</c>, then <c>&lt;Connect&gt;&lt;Stream url="wss://&lt;Host&gt;/media-stream"&gt;</c>
/// though it serves plain ws; it checks no signature or token; per stream it opens the upstream, sends a session.update
/// asking for <c>audio/pcmu</c> both ways 100 ms later, forwards each media payload as an append (dropping caller
/// audio until then: a stricter version of the sample's dropping until its upstream socket is open), sends each delta back as one media message followed by one mark, and a clear on
/// <c>speech_started</c> while marks are outstanding. One lock per socket for sends, as the sample's single thread.
/// </summary>
internal sealed class PcmuBridge(Uri upstream) : IAsyncDisposable
{
    private const string SessionUpdate =
        """{"type":"session.update","session":{"type":"realtime","model":"gpt-realtime","output_modalities":["audio"],"audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":{"type":"server_vad"}},"output":{"format":{"type":"audio/pcmu"},"voice":"alloy"}},"instructions":"be brief"}}""";

    private WebApplication? _app;

    public Uri BaseUri { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/healthz", () => "ok");
        app.MapPost("/twilio/voice", async context =>
        {
            context.Response.ContentType = "text/xml";
            var url = SecurityElement.Escape($"wss://{context.Request.Host}/media-stream");
            await context.Response.WriteAsync(
                $"""<?xml version="1.0" encoding="UTF-8"?><Response><Say>Please wait</Say><Pause length="1"/><Say>O.K.</Say><Connect><Stream url="{url}" /></Connect></Response>""");
        });
        app.Map("/media-stream", StreamAsync);
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

    private async Task StreamAsync(HttpContext context)
    {
        using var caller = await context.WebSockets.AcceptWebSocketAsync();
        using var model = new ClientWebSocket();
        using var callerSend = new SemaphoreSlim(1, 1);
        using var modelSend = new SemaphoreSlim(1, 1);
        var state = new StreamState();
        await model.ConnectAsync(upstream, CancellationToken.None);
        var configure = ConfigureLaterAsync(model, modelSend, state);
        var fromModel = FromModelAsync(model, caller, callerSend, state);
        while (await ReceiveAsync(caller) is { } message)
        {
            using var json = JsonDocument.Parse(message);
            var root = json.RootElement;
            switch (root.GetProperty("event").GetString())
            {
                case "start":
                    state.StreamSid = root.GetProperty("start").GetProperty("streamSid").GetString();
                    break;
                case "media" when state.Configured:
                    var append = JsonSerializer.Serialize(new Dictionary<string, string>
                    {
                        ["type"] = "input_audio_buffer.append",
                        ["audio"] = root.GetProperty("media").GetProperty("payload").GetString()!,
                    });
                    await SendAsync(model, modelSend, append);
                    break;
                case "mark":
                    Interlocked.Decrement(ref state.MarksOutstanding);
                    break;
            }
        }

        await configure;
        await modelSend.WaitAsync();
        try
        {
            await model.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "caller left", CancellationToken.None);
        }
        finally
        {
            modelSend.Release();
        }

        await fromModel;
        await callerSend.WaitAsync();
        await caller.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    private static async Task ConfigureLaterAsync(ClientWebSocket model, SemaphoreSlim modelSend, StreamState state)
    {
        await Task.Delay(100);
        // Audio flows from here on; the load tool sends its first frame only once this session.update has arrived.
        state.Configured = true;
        await SendAsync(model, modelSend, SessionUpdate);
    }

    private static async Task FromModelAsync(ClientWebSocket model, WebSocket caller, SemaphoreSlim callerSend, StreamState state)
    {
        while (await ReceiveAsync(model) is { } message)
        {
            using var json = JsonDocument.Parse(message);
            var root = json.RootElement;
            var type = root.GetProperty("type").GetString();
            if (type == "response.output_audio.delta")
            {
                await SendAsync(caller, callerSend, JsonSerializer.Serialize(new { @event = "media", streamSid = state.StreamSid, media = new { payload = root.GetProperty("delta").GetString() } }));
                await SendAsync(caller, callerSend, JsonSerializer.Serialize(new { @event = "mark", streamSid = state.StreamSid, mark = new { name = "responsePart" } }));
                Interlocked.Increment(ref state.MarksOutstanding);
            }
            else if (type == "input_audio_buffer.speech_started" && Volatile.Read(ref state.MarksOutstanding) > 0)
            {
                await SendAsync(caller, callerSend, JsonSerializer.Serialize(new { @event = "clear", streamSid = state.StreamSid }));
            }
        }
    }

    private static async Task<byte[]?> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                message.Write(buffer, 0, read.Count);
                if (read.EndOfMessage)
                {
                    return message.ToArray();
                }
            }
        }
        catch (WebSocketException)
        {
            return null;
        }
    }

    private static async Task SendAsync(WebSocket socket, SemaphoreSlim gate, string text)
    {
        await gate.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed class StreamState
    {
#pragma warning disable CA1051 // fields so Interlocked and Volatile can use them; private nested type in a test double
        public int MarksOutstanding;
#pragma warning restore CA1051

        public string? StreamSid { get; set; }

        public bool Configured
        {
            get => Volatile.Read(ref field);
            set => Volatile.Write(ref field, value);
        }
    }
}
