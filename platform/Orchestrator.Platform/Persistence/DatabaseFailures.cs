using Npgsql;

namespace Orchestrator.Platform.Persistence;

public static class DatabaseFailures
{
    /// <summary>
    /// True when PostgreSQL could not be reached or went away (a restart, a lost connection), as opposed to a query
    /// the server refused: trying the same work again later is the right answer.
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true }
                or PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.CrashShutdown })
                return true;
        }

        return false;
    }
}
