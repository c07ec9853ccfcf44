namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// The model-side page of simulated WebRTC calls (peer.html, embedded): served next to its control socket
/// (<see cref="SimulatorMediaPeer"/>) and the calls' media sockets (<see cref="SimulatorMediaSocket"/>), which it finds
/// relative to its own URL (<c>peer</c> and <c>calls/{id}/media</c>).
/// </summary>
public static class SimulatorPeerPage
{
    private static readonly Lazy<byte[]> s_html = new(Load);

    /// <summary>The page, UTF-8.</summary>
    public static ReadOnlyMemory<byte> Html => s_html.Value;

    private static byte[] Load()
    {
        using var stream = typeof(SimulatorPeerPage).Assembly.GetManifestResourceStream("VoiceBridge.Realtime.Simulator.Calls.peer.html")
            ?? throw new InvalidOperationException("The simulator's peer page is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
