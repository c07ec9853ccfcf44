using Microsoft.Extensions.Hosting;

namespace VoiceBridge.Cli.Simulator;

/// <summary>A host lifetime without console signal handling: an embedded server is stopped by its owner.</summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
