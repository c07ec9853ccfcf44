using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Upstream;

/// <summary>
/// Opens upstream sessions over <see cref="ClientWebSocket"/> to OpenAI, Azure OpenAI or any GA-compatible
/// endpoint (the CLI's simulator server included). Failures come back as values: a refused handshake with its
/// HTTP status, a timeout, or a connect failure, each logged once.
/// </summary>
public sealed partial class WebSocketRealtimeConnector : IRealtimeConnector
{
    private readonly UpstreamSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly UpstreamRequest _request;
    private readonly string _endpointForLog;

    /// <exception cref="ArgumentException">
    /// The settings name no reachable URL (see <see cref="UpstreamRequestBuilder.Build"/>), or a capacity or
    /// timeout is not positive.
    /// </exception>
    public WebSocketRealtimeConnector(UpstreamSettings settings, TimeProvider timeProvider, ILogger<WebSocketRealtimeConnector> logger)
        : this(settings, timeProvider, logger, null)
    {
    }

    /// <param name="settings">Connection behaviour (timeouts, queues); also the URL when <paramref name="request"/> is null.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Log output.</param>
    /// <param name="request">Another handshake to open than the settings' own (a direct call's sideband, <see cref="UpstreamRequestBuilder.BuildSideband"/>).</param>
    public WebSocketRealtimeConnector(UpstreamSettings settings, TimeProvider timeProvider, ILogger<WebSocketRealtimeConnector> logger, UpstreamRequest? request)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.SendQueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxMessageBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.ConnectTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.CloseTimeout, TimeSpan.Zero);
        _settings = settings;
        _timeProvider = timeProvider;
        _logger = logger;
        _request = request ?? UpstreamRequestBuilder.Build(settings);
        _endpointForLog = _request.Uri.GetLeftPart(UriPartial.Path);
    }

    public async ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            var options = socket.Options;
            // Ping/pong keep-alive: a peer that stops answering within the timeout ends the session as lost.
            options.KeepAliveInterval = _settings.KeepAliveInterval;
            options.KeepAliveTimeout = _settings.KeepAliveTimeout;
            // Keeps the handshake's HTTP status so a 401/403/429 can be told apart from a network failure.
            options.CollectHttpResponseDetails = true;
            foreach (var (name, value) in _request.Headers)
            {
                options.SetRequestHeader(name, value);
            }

            using var timeout = new CancellationTokenSource(_settings.ConnectTimeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await socket.ConnectAsync(_request.Uri, linked.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or SocketException
                or OperationCanceledException or AuthenticationException)
            {
                var failure = Classify(ex, socket.HttpStatusCode, cancellationToken, timeout.Token);
                LogConnectFailed(_logger, _endpointForLog, failure.Reason, failure.HttpStatus, failure.Description);
                return RealtimeConnectResult.Failed(failure);
            }

            LogConnected(_logger, _endpointForLog);
            // Ownership moves to the caller inside the result; the analyzer cannot see through the struct.
#pragma warning disable CA2000
            var connection = new WebSocketRealtimeConnection(socket, _settings, _timeProvider, _logger);
#pragma warning restore CA2000
            socket = null;
            return RealtimeConnectResult.Connected(connection);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private UpstreamEnd Classify(Exception ex, HttpStatusCode status, CancellationToken caller, CancellationToken timeout)
    {
        if (caller.IsCancellationRequested)
        {
            return new UpstreamEnd(UpstreamEndReason.Cancelled, "the caller cancelled the connect");
        }

        if (timeout.IsCancellationRequested)
        {
            return new UpstreamEnd(UpstreamEndReason.ConnectTimeout, $"no handshake within {_settings.ConnectTimeout.TotalSeconds:0.###} s");
        }

        if (status is not 0 and not HttpStatusCode.SwitchingProtocols)
        {
            return new UpstreamEnd(
                UpstreamEndReason.Refused,
                $"the upstream answered the handshake with HTTP {(int)status} ({status})",
                HttpStatus: (int)status);
        }

        var innermost = ex;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return new UpstreamEnd(UpstreamEndReason.ConnectFailed, innermost.Message);
    }
}
