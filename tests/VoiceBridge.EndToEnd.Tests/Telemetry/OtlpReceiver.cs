using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>A collector stand-in: Kestrel on 127.0.0.1 accepting OTLP/HTTP (protobuf) POSTs and keeping the bodies.</summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<byte[]> Traces { get; } = new();

    private readonly List<(Func<OtlpSpan, bool> Match, TaskCompletionSource<OtlpSpan> Arrived)> _waiters = [];
    private readonly List<OtlpSpan> _spans = [];

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_waiters)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Completes when a span matching <paramref name="match"/> has arrived (or already had).</summary>
    public Task<OtlpSpan> SpanArrived(Func<OtlpSpan, bool> match)
    {
        lock (_waiters)
        {
            var arrived = new TaskCompletionSource<OtlpSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_spans.FirstOrDefault(match) is { } span)
            {
                arrived.SetResult(span);
            }
            else
            {
                _waiters.Add((match, arrived));
            }

            return arrived.Task;
        }
    }

    private void Receive(byte[] request)
    {
        Traces.Enqueue(request);
        var spans = OtlpTraceDecoder.Decode(request);
        lock (_waiters)
        {
            _spans.AddRange(spans);
            foreach (var (match, arrived) in _waiters)
            {
                if (spans.FirstOrDefault(match) is { } span)
                {
                    arrived.TrySetResult(span);
                }
            }
        }
    }

    public ConcurrentQueue<string> ContentTypes { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            if (signal == "traces")
            {
                receiver!.ContentTypes.Enqueue(context.Request.ContentType ?? string.Empty);
                receiver.Receive(body.ToArray());
            }

            // An empty Export*ServiceResponse is a zero-length protobuf message.
            context.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new OtlpReceiver(app, new Uri(address));
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
