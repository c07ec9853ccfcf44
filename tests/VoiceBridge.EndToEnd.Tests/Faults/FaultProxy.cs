using System.Net;
using System.Net.Sockets;

namespace VoiceBridge.EndToEnd.Tests.Faults;

/// <summary>
/// A TCP proxy on 127.0.0.1 between the bridge and the simulator's WebSocket server that injects one
/// <see cref="UpstreamFault"/> per accepted connection (chosen by its index, so a first connection can fail and a
/// reconnect succeed). It counts open connections so a test can prove the bridge let go of every socket.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    // The simulator's session.created + session.updated are a few KiB; its audio deltas are ~6.4 KiB each
    // (100 ms of base64 PCM16 at 24 kHz). Past these counts the session is up, respectively a reply is streaming.
    private const int SessionUpBytes = 1024;
    private const int ReplyStreamingBytes = 24 * 1024;
    private static readonly TimeSpan DelayPerChunk = TimeSpan.FromMilliseconds(40);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly Func<int, UpstreamFault> _faultFor;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _idle = Done();
    private readonly Task _accept;
    private int _accepted;
    private int _open;

    public FaultProxy(Uri target, Func<int, UpstreamFault> faultFor)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _faultFor = faultFor;
        _listener.Start();
        Uri = new UriBuilder(target) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;
        _accept = AcceptLoopAsync();
    }

    /// <summary>The upstream URL to give the bridge (the target's, on the proxy's port).</summary>
    public Uri Uri { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Completes when no proxied connection is open (at once if none is).</summary>
    public Task WhenIdle
    {
        get
        {
            lock (_lock)
            {
                return _idle.Task;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Task[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll([_accept, .. connections]).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var index = Interlocked.Increment(ref _accepted) - 1;
            lock (_lock)
            {
                if (_open++ == 0)
                {
                    _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                _connections.Add(RunConnectionAsync(client, _faultFor(index)));
            }
        }
    }

    private async Task RunConnectionAsync(Socket client, UpstreamFault fault)
    {
        using var clientSocket = client;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        try
        {
            switch (fault)
            {
                case UpstreamFault.Refuse:
                    client.LingerState = new LingerOption(true, 0);
                    return;
                case UpstreamFault.HangDuringConnect:
                    await DiscardUntilClosedAsync(client, done.Token);
                    return;
            }

            await server.ConnectAsync(_target, done.Token);
            var link = new Link();
            var fromBridge = PumpAsync(client, server, fault, toBridge: false, link, done.Token);
            var toBridge = PumpAsync(server, client, fault, toBridge: true, link, done.Token);
            await Task.WhenAny(fromBridge, toBridge);
            await done.CancelAsync();
            await Task.WhenAll(fromBridge, toBridge).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException)
        {
        }
        finally
        {
            lock (_lock)
            {
                if (--_open == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, UpstreamFault fault, bool toBridge, Link link, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        long relayed = 0;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                if (!toBridge && link.Stalled)
                {
                    // Black hole: what the bridge sends is read (so its close is noticed) and goes nowhere.
                    continue;
                }

                if (toBridge && relayed >= SessionUpBytes && fault is UpstreamFault.Garbage or UpstreamFault.Stall)
                {
                    link.Stalled = true;
                    if (fault is UpstreamFault.Garbage)
                    {
                        // 0xFF opens no valid frame (RSV bits set, reserved opcode): the bridge's parser must reject it.
                        await to.SendAsync(Enumerable.Repeat((byte)0xFF, 64).ToArray(), SocketFlags.None, token);
                    }

                    // Nothing more from the upstream; this pump ends when the bridge side does.
                    await Task.Delay(Timeout.Infinite, token);
                }

                if (toBridge && relayed >= ReplyStreamingBytes && fault is UpstreamFault.CloseMidResponse)
                {
                    // A reset with no close frame, both ways: the connection just dies mid-reply.
                    to.LingerState = new LingerOption(true, 0);
                    from.LingerState = new LingerOption(true, 0);
                    to.Close();
                    from.Close();
                    return;
                }

                if (toBridge && fault is UpstreamFault.Delay)
                {
                    await Task.Delay(DelayPerChunk, token);
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, token);
                relayed += read;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    private static async Task DiscardUntilClosedAsync(Socket socket, CancellationToken token)
    {
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private static TaskCompletionSource Done()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.TrySetResult();
        return done;
    }

    private sealed class Link
    {
        public volatile bool Stalled;
    }
}
