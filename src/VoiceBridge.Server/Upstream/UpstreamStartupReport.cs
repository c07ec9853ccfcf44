using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Upstream;

namespace VoiceBridge.Server.Upstream;

/// <summary>Says once at startup where calls will go, so an operator sees a simulator boot for what it is.</summary>
internal sealed partial class UpstreamStartupReport(IOptions<UpstreamOptions> options, ILogger<UpstreamStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var upstream = options.Value;
        var target = upstream.UsesWebSocket
            ? UpstreamRequestBuilder.Build(upstream.ToSettings()).Uri.GetLeftPart(UriPartial.Path)
            : "in process";
        LogUpstream(logger, upstream.Provider ?? UpstreamProvider.Simulator, target, upstream.Model, upstream.AudioFormat, upstream.Voice);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
