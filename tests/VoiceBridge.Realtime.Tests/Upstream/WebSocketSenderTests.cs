using System.Net.WebSockets;
using System.Text;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Tests.Upstream;

[Collection(nameof(PooledBufferAccounting))]
public sealed class WebSocketSenderTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RealtimeMessage Message(string text, RealtimeMessageKind kind = RealtimeMessageKind.Control) =>
        RealtimeMessage.Copy(Encoding.UTF8.GetBytes(text), kind);

    private static (WebSocketSender Sender, GatedStream Stream, WebSocket Socket) Create(int capacity = 4, bool dropOldestAudio = true, bool controlWaits = true, List<Exception>? failures = null)
    {
        var stream = new GatedStream();
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        var sender = new WebSocketSender(socket, new WebSocketSenderOptions { Capacity = capacity, DropOldestAudio = dropOldestAudio, ControlWaitsForRoom = controlWaits }, onFailed: failures is null ? null : failures.Add);
        return (sender, stream, socket);
    }

    [Fact]
    public async Task IdleSocket_EachMessageIsWrittenBeforeSendReturns_OnTheHandingTask()
    {
        var (sender, stream, socket) = Create();
        using (socket)
        {
            for (var i = 0; i < 100; i++)
            {
                var sent = sender.SendAsync(Message("m" + i, i % 2 == 0 ? RealtimeMessageKind.Audio : RealtimeMessageKind.Control), Ct);
                Assert.True(sent.IsCompletedSuccessfully);
                Assert.True(await sent);
                Assert.Equal(i + 1, stream.Writes);
            }

            Assert.Equal(Enumerable.Range(0, 100).Select(i => "m" + i), stream.TextFrames());
            Assert.Equal(0, sender.AsyncWrites);
            Assert.Equal(0, sender.Queued);
        }
    }

    [Fact]
    public async Task BusySocket_QueuesBehindTheWrite_FullAudioDropsTheOldest_ControlKeepsItsPlace()
    {
        var (sender, stream, socket) = Create(capacity: 3);
        using (socket)
        {
            stream.Block();
            Assert.True(await sender.SendAsync(Message("a0", RealtimeMessageKind.Audio), Ct));
            Assert.Equal(1, sender.AsyncWrites);
            Assert.True(await sender.SendAsync(Message("a1", RealtimeMessageKind.Audio), Ct));
            Assert.True(await sender.SendAsync(Message("c1"), Ct));
            for (var i = 2; i <= 5; i++)
            {
                Assert.True(await sender.SendAsync(Message("a" + i, RealtimeMessageKind.Audio), Ct));
            }

            Assert.True(await sender.SendAsync(Message("commit"), Ct));
            Assert.Equal(2, sender.DroppedAudioMessages);

            sender.Complete();
            stream.Open();
            await sender.WhenDrainedAsync().WaitAsync(Guard, Ct);

            Assert.Equal(["a0", "c1", "a3", "a4", "a5", "commit"], stream.TextFrames());
        }
    }

    [Fact]
    public async Task FullControl_WaitsForRoom_AndIsNeverDropped()
    {
        var (sender, stream, socket) = Create(capacity: 2);
        using (socket)
        {
            stream.Block();
            Assert.True(await sender.SendAsync(Message("c0"), Ct));
            Assert.True(await sender.SendAsync(Message("c1"), Ct));
            Assert.True(await sender.SendAsync(Message("c2"), Ct));

            var waiting = sender.SendAsync(Message("c3"), Ct).AsTask();
            Assert.False(waiting.IsCompleted);

            stream.Open();
            Assert.True(await waiting.WaitAsync(Guard, Ct));
            sender.Complete();
            await sender.WhenDrainedAsync().WaitAsync(Guard, Ct);
            Assert.Equal(["c0", "c1", "c2", "c3"], stream.TextFrames());
        }
    }

    [Fact]
    public async Task RefusingQueue_FullAudioAndControlAreRefused_NotDropped()
    {
        var (sender, stream, socket) = Create(capacity: 1, dropOldestAudio: false, controlWaits: false);
        using (socket)
        {
            stream.Block();
            Assert.True(await sender.SendAsync(Message("a0", RealtimeMessageKind.Audio), Ct));
            Assert.True(await sender.SendAsync(Message("a1", RealtimeMessageKind.Audio), Ct));
            Assert.True(await sender.SendAsync(Message("c1"), Ct));

            Assert.False(await sender.SendAsync(Message("a2", RealtimeMessageKind.Audio), Ct));
            Assert.False(await sender.SendAsync(Message("c2"), Ct));
            Assert.Equal(0, sender.DroppedAudioMessages);

            sender.Complete();
            stream.Open();
            await sender.WhenDrainedAsync().WaitAsync(Guard, Ct);
            Assert.Equal(["a0", "a1", "c1"], stream.TextFrames());
        }
    }

    [Fact]
    public async Task Complete_RefusesNewMessages_WakesAWaitingControl_AndStillWritesWhatIsQueued()
    {
        var (sender, stream, socket) = Create(capacity: 1);
        using (socket)
        {
            stream.Block();
            Assert.True(await sender.SendAsync(Message("c0"), Ct));
            Assert.True(await sender.SendAsync(Message("c1"), Ct));
            var waiting = sender.SendAsync(Message("c2"), Ct).AsTask();

            sender.Complete();

            Assert.False(await waiting.WaitAsync(Guard, Ct));
            Assert.False(await sender.SendAsync(Message("a1", RealtimeMessageKind.Audio), Ct));
            var drained = sender.WhenDrainedAsync();
            Assert.False(drained.IsCompleted);
            stream.Open();
            await drained.WaitAsync(Guard, Ct);
            Assert.Equal(["c0", "c1"], stream.TextFrames());
        }
    }

    [Fact]
    public async Task CancelledControlWait_Throws_AndTheMessageIsNotSent()
    {
        var (sender, stream, socket) = Create(capacity: 1);
        using (socket)
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            stream.Block();
            Assert.True(await sender.SendAsync(Message("c0"), Ct));
            Assert.True(await sender.SendAsync(Message("c1"), Ct));
            var waiting = sender.SendAsync(Message("c2"), cts.Token).AsTask();

            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Guard, Ct));
            sender.Complete();
            stream.Open();
            await sender.WhenDrainedAsync().WaitAsync(Guard, Ct);
            Assert.Equal(["c0", "c1"], stream.TextFrames());
        }
    }

    [Fact]
    public async Task BrokenConnection_IsReportedOnce_QueuedBuffersGoBack_AndLaterSendsAreRefused()
    {
        var failures = new List<Exception>();
        var (sender, stream, socket) = Create(capacity: 8, failures: failures);
        var before = RealtimeMessage.Outstanding;
        stream.Block();
        Assert.True(await sender.SendAsync(Message("a0", RealtimeMessageKind.Audio), Ct));
        Assert.True(await sender.SendAsync(Message("a1", RealtimeMessageKind.Audio), Ct));
        Assert.True(await sender.SendAsync(Message("c1"), Ct));

        // The socket breaks under the pending write, as a reset connection does.
        socket.Abort();
        stream.Open();
        await sender.WhenDrainedAsync().WaitAsync(Guard, Ct);

        Assert.Single(failures);
        Assert.True(sender.HasFailed);
        Assert.False(await sender.SendAsync(Message("c2"), Ct));
        Assert.Equal(0, sender.Queued);
        Assert.True(RealtimeMessage.Outstanding <= before, "queued buffers went back to the pool");
        socket.Dispose();
    }
}
