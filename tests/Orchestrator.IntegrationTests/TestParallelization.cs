// The tests start whole systems of processes and real servers; on a two-core machine running them side by side
// turns each test's timing into chance, so they run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
