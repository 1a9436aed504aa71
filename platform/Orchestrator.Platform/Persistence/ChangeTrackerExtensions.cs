using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Orchestrator.Platform.Persistence;

public static class ChangeTrackerExtensions
{
    /// <summary>
    /// The tracked entities of <typeparamref name="T"/> added and not yet saved. Added entities are known as such
    /// without change detection, which <c>Entries()</c> would otherwise run first over every tracked entity: a
    /// transaction that handles a batch of messages tracks hundreds, and each call would pay for all of them again.
    /// </summary>
    public static List<EntityEntry<T>> AddedEntries<T>(this ChangeTracker tracker)
        where T : class
    {
        var detectChanges = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return tracker.Entries<T>().Where(e => e.State == EntityState.Added).ToList();
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detectChanges;
        }
    }
}
