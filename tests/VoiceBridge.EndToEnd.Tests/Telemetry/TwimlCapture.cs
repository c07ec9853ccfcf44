using System.Collections.Concurrent;

namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>Keeps the webhook's TwiML answers (they carry the per-call token) for the secret scan.</summary>
internal sealed class TwimlCapture() : DelegatingHandler(new HttpClientHandler())
{
    public ConcurrentQueue<string> Bodies { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri?.AbsolutePath.EndsWith("/twilio/voice", StringComparison.Ordinal) == true)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            Bodies.Enqueue(await response.Content.ReadAsStringAsync(cancellationToken));
        }

        return response;
    }
}
