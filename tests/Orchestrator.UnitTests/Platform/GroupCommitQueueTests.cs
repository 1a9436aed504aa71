using System.Collections.Concurrent;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.UnitTests.Platform;

public sealed class GroupCommitQueueTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    sealed record Item(string Key, string Name);

    /// <summary>A commit that records its batch and waits until the test lets it finish.</summary>
    sealed class Commits
    {
        readonly ConcurrentQueue<TaskCompletionSource> _releases = new();
        public ConcurrentQueue<List<string>> Batches { get; } = new();
        public Channel Started { get; } = new();
        public int InFlight;
        public int MostInFlight;

        public async Task CommitAsync(List<Item> batch)
        {
            var inFlight = Interlocked.Increment(ref InFlight);
            InterlockedMax(ref MostInFlight, inFlight);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _releases.Enqueue(release);
            Batches.Enqueue(batch.Select(i => i.Name).ToList());
            Started.Signal();
            await release.Task;
            Interlocked.Decrement(ref InFlight);
        }

        /// <summary>Lets the commits in flight finish and waits for the next one to start.</summary>
        public async Task NextAsync()
        {
            ReleaseAll();
            await Started.WaitAsync();
        }

        public void ReleaseAll()
        {
            while (_releases.TryDequeue(out var release))
                release.TrySetResult();
        }

        static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }

    /// <summary>Counts signals; a test waits for the n-th one with a deadline.</summary>
    sealed class Channel
    {
        readonly SemaphoreSlim _count = new(0);

        public void Signal() => _count.Release();

        public async Task WaitAsync()
        {
            if (!await _count.WaitAsync(Deadline))
                throw new TimeoutException("The queue did not start the expected commit.");
        }
    }

    /// <summary>
    /// Queues <paramref name="meanwhile"/> while a batch of <paramref name="first"/> alone is in flight on one writer,
    /// then lets <paramref name="batches"/> commits run and returns what each held.
    /// </summary>
    static async Task<List<string>[]> BatchesAsync(int maxBatch, int batches, Item first, params Item[] meanwhile)
    {
        var commits = new Commits();
        var queue = new GroupCommitQueue<Item, string>(i => i.Key, maxBatch, writers: 1, commits.CommitAsync, (_, _) => { });
        queue.Enqueue(first);
        await commits.Started.WaitAsync();
        foreach (var item in meanwhile)
            queue.Enqueue(item);
        for (var i = 1; i < batches; i++)
            await commits.NextAsync();
        commits.ReleaseAll();
        return commits.Batches.ToArray();
    }

    [Fact]
    public async Task Work_queued_while_a_batch_is_in_flight_goes_into_the_next_batch_together() =>
        Assert.Equal([["first"], ["w1", "w2", "w3", "w4", "w5"]],
            await BatchesAsync(100, 2, new("a", "first"), [.. Enumerable.Range(1, 5).Select(n => new Item($"k{n}", $"w{n}"))]));

    [Fact]
    public async Task A_batch_holds_one_item_per_key_and_keeps_each_keys_order() =>
        Assert.Equal([["x1"], ["a1", "b1", "x2"], ["a2"], ["a3"]],
            await BatchesAsync(100, 4, new("x", "x1"), new("a", "a1"), new("a", "a2"), new("b", "b1"), new("a", "a3"), new("x", "x2")));

    [Fact]
    public async Task Batches_are_cut_at_the_largest_size() =>
        Assert.Equal([["0"], ["1", "2"], ["3", "4"], ["5"]],
            await BatchesAsync(2, 4, new("0", "0"), [.. Enumerable.Range(1, 5).Select(n => new Item($"{n}", $"{n}"))]));

    [Fact]
    public async Task Several_writers_never_hold_one_key_at_once()
    {
        var commits = new Commits();
        var queue = new GroupCommitQueue<Item, string>(i => i.Key, maxBatch: 100, writers: 2, commits.CommitAsync, (_, _) => { });

        queue.Enqueue(new Item("a", "a1"));
        await commits.Started.WaitAsync();
        // The second writer starts on the next item, but a's second item waits for the first writer's batch.
        queue.Enqueue(new Item("a", "a2"));
        queue.Enqueue(new Item("b", "b1"));
        await commits.Started.WaitAsync();
        Assert.Equal([["a1"], ["b1"]], commits.Batches.ToArray());
        Assert.Equal(2, commits.MostInFlight);

        await commits.NextAsync();
        commits.ReleaseAll();
        Assert.Equal(["a2"], commits.Batches.Last());
        Assert.Equal(2, commits.MostInFlight);
    }

    [Fact]
    public async Task The_last_writer_to_run_out_of_work_says_so_once_the_queue_is_idle()
    {
        var commits = new Commits();
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new GroupCommitQueue<Item, string>(i => i.Key, maxBatch: 100, writers: 1, commits.CommitAsync, (_, _) => { },
            whenIdle: () => idle.TrySetResult());

        queue.Enqueue(new Item("a", "a1"));
        await commits.Started.WaitAsync();
        Assert.True(queue.IsWriting);
        Assert.False(idle.Task.IsCompleted);

        commits.ReleaseAll();
        await idle.Task.WaitAsync(Deadline);
        Assert.False(queue.IsWriting);
    }

    [Fact]
    public async Task A_batch_whose_commit_throws_is_failed_item_by_item_and_the_queue_goes_on()
    {
        var failed = new ConcurrentDictionary<string, Exception>();
        var committed = new ConcurrentQueue<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failedOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queue = new GroupCommitQueue<Item, string>(i => i.Key, maxBatch: 100, writers: 1,
            batch =>
            {
                if (batch.Any(i => i.Name == "bad"))
                    throw new InvalidOperationException("the commit broke");
                foreach (var item in batch)
                    committed.Enqueue(item.Name);
                if (committed.Contains("after"))
                    done.TrySetResult();
                return Task.CompletedTask;
            },
            (item, ex) =>
            {
                failed[item.Name] = ex;
                failedOnce.TrySetResult();
            });

        queue.Enqueue(new Item("a", "bad"));
        await failedOnce.Task.WaitAsync(Deadline);
        // The key the failed batch held is free again, and the one writer allowed is not lost.
        queue.Enqueue(new Item("a", "after"));
        await done.Task.WaitAsync(Deadline);

        Assert.Equal("the commit broke", failed["bad"].Message);
        Assert.Equal(["after"], committed.ToArray());
    }
}
