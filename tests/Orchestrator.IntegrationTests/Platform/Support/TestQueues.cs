namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>Queue names of the test hosts; every test has a virtual host of its own, so they never collide.</summary>
public static class TestQueues
{
    public const string CounterSaga = "counter-saga";
    public const string CounterClosed = "counter-closed";
    public const string Ping = "ping";
    public const string StoreRecord = "store-record";
    public const string RecordStored = "record-stored";
    public const string ScheduleReminder = "schedule-reminder";
    public const string CancelReminder = "cancel-reminder";
    public const string Reminders = "reminders";

    public static Uri Address(string queue) => new($"queue:{queue}");
}
