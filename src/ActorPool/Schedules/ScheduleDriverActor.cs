using Akka.Actor;

namespace ActorPool.Schedules;

/// <summary>
/// Lets one node of a cluster drive its pool's schedules: this node's <see cref="ScheduleDriving"/>
/// while a schedule singleton of the pool runs here, no one else's. Akka's singleton manager starts
/// it on the oldest node of the pool's role and moves it when that node leaves or is downed.
/// </summary>
internal sealed class ScheduleDriverActor(ScheduleDriving driving) : ReceiveActor
{
    public static Props Props(ScheduleDriving driving) => Akka.Actor.Props.Create(() => new ScheduleDriverActor(driving));

    protected override void PreStart() => driving.Drive();

    protected override void PostStop() => driving.Pause();
}

/// <summary>Whether this node drives its pool's schedules, told to the schedules once they exist.</summary>
internal sealed class ScheduleDriving
{
    private readonly Lock _sync = new();
    private PoolSchedules? _schedules;
    private bool _driving;

    public void Bind(PoolSchedules schedules)
    {
        lock (_sync)
        {
            _schedules = schedules;
        }

        if (IsDriving)
        {
            schedules.Drive();
        }
    }

    public bool IsDriving
    {
        get
        {
            lock (_sync)
            {
                return _driving;
            }
        }
    }

    public void Drive()
    {
        PoolSchedules? schedules;
        lock (_sync)
        {
            _driving = true;
            schedules = _schedules;
        }

        schedules?.Drive();
    }

    public void Pause()
    {
        PoolSchedules? schedules;
        lock (_sync)
        {
            _driving = false;
            schedules = _schedules;
        }

        schedules?.Pause();
    }
}
