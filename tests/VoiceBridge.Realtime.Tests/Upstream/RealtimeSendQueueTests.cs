using System.Text;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Realtime.Upstream;

namespace VoiceBridge.Realtime.Tests.Upstream;

public sealed class RealtimeSendQueueTests
{
    private static RealtimeMessage Message(string text, RealtimeMessageKind kind) => RealtimeMessage.Copy(Encoding.UTF8.GetBytes(text), kind);

    private static List<string> Drain(RealtimeSendQueue queue)
    {
        var sent = new List<string>();
        while (queue.TryDequeue(out var message))
        {
            using (message)
            {
                sent.Add(Encoding.UTF8.GetString(message.Span));
            }
        }

        return sent;
    }

    [Fact]
    public async Task FullAudio_DropsTheOldestAudio_CountsIt_AndKeepsArrivalOrder()
    {
        var queue = new RealtimeSendQueue(capacity: 3);
        var ct = TestContext.Current.CancellationToken;

        Assert.True(await queue.EnqueueAsync(Message("a1", RealtimeMessageKind.Audio), ct));
        Assert.True(await queue.EnqueueAsync(Message("c1", RealtimeMessageKind.Control), ct));
        for (var i = 2; i <= 5; i++)
        {
            Assert.True(await queue.EnqueueAsync(Message("a" + i, RealtimeMessageKind.Audio), ct));
        }

        Assert.True(await queue.EnqueueAsync(Message("commit", RealtimeMessageKind.Control), ct));

        Assert.Equal(2, queue.DroppedAudioMessages);
        Assert.Equal(["c1", "a3", "a4", "a5", "commit"], Drain(queue));
    }

    [Fact]
    public async Task FullControl_WaitsForRoom_AndIsNeverDropped()
    {
        var queue = new RealtimeSendQueue(capacity: 2);
        var ct = TestContext.Current.CancellationToken;
        Assert.True(await queue.EnqueueAsync(Message("c1", RealtimeMessageKind.Control), ct));
        Assert.True(await queue.EnqueueAsync(Message("c2", RealtimeMessageKind.Control), ct));

        var third = queue.EnqueueAsync(Message("c3", RealtimeMessageKind.Control), ct).AsTask();
        Assert.False(third.IsCompleted);

        Assert.True(queue.TryDequeue(out var first));
        first.Dispose();
        Assert.True(await third.WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Equal(["c2", "c3"], Drain(queue));
        Assert.Equal(0, queue.DroppedAudioMessages);
    }

    [Fact]
    public async Task Complete_RefusesNewMessages_WakesAWaitingControl_AndLetsTheReaderDrain()
    {
        var queue = new RealtimeSendQueue(capacity: 1);
        var ct = TestContext.Current.CancellationToken;
        Assert.True(await queue.EnqueueAsync(Message("c1", RealtimeMessageKind.Control), ct));
        var waiting = queue.EnqueueAsync(Message("c2", RealtimeMessageKind.Control), ct).AsTask();

        queue.Complete();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.False(await queue.EnqueueAsync(Message("a1", RealtimeMessageKind.Audio), ct));
        Assert.True(await queue.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Equal(["c1"], Drain(queue));
        Assert.False(await queue.WaitToReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct));
    }

    [Fact]
    public async Task WaitingReader_WakesOnTheNextMessage()
    {
        var queue = new RealtimeSendQueue(capacity: 4);
        var ct = TestContext.Current.CancellationToken;
        var wait = queue.WaitToReadAsync().AsTask();
        Assert.False(wait.IsCompleted);

        Assert.True(await queue.EnqueueAsync(Message("a1", RealtimeMessageKind.Audio), ct));

        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10), ct));
        Assert.Equal(["a1"], Drain(queue));
    }

    [Fact]
    public async Task CancelledControlWait_Throws_AndTheMessageIsNotQueued()
    {
        var queue = new RealtimeSendQueue(capacity: 1);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        Assert.True(await queue.EnqueueAsync(Message("c1", RealtimeMessageKind.Control), cts.Token));
        var waiting = queue.EnqueueAsync(Message("c2", RealtimeMessageKind.Control), cts.Token).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(["c1"], Drain(queue));
    }
}
