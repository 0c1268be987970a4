namespace MobZ.Munit.Workers;

/// <summary>
/// Which media worker a new station goes to. A room's first station goes to the least-loaded worker (fewest peer
/// connections, then fewest stations, then the lowest index); the room's later stations follow it, so a viewer's one
/// peer connection, which carries every station of its room it watches, never needs a packet from another worker.
/// The room is forgotten when its last station closes. Called on the control path (station create and close), under
/// its own lock; the packet path never comes here.
/// </summary>
public sealed class WorkerPlacement
{
    private readonly Func<int, int> _peersOf;
    private readonly int[] _stations;
    private readonly Dictionary<string, (int Worker, int Stations)> _rooms = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <param name="workers">how many workers there are.</param>
    /// <param name="peersOf">the peer connections worker <c>i</c> holds now (its load).</param>
    public WorkerPlacement(int workers, Func<int, int> peersOf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _peersOf = peersOf;
        _stations = new int[workers];
    }

    public int WorkerCount => _stations.Length;

    /// <summary>Stations placed on <paramref name="worker"/> and not yet released.</summary>
    public int StationsOn(int worker)
    {
        lock (_gate)
            return _stations[worker];
    }

    /// <summary>Rooms with at least one station on <paramref name="worker"/>.</summary>
    public int RoomsOn(int worker)
    {
        lock (_gate)
            return _rooms.Values.Count(r => r.Worker == worker);
    }

    /// <summary>The worker of a new station of <paramref name="roomId"/>; pair it with one <see
    /// cref="Release"/>.</summary>
    public int Place(string roomId)
    {
        lock (_gate)
        {
            int worker = _rooms.TryGetValue(roomId, out var room) ? room.Worker : LeastLoaded();
            _rooms[roomId] = (worker, room.Stations + 1);
            _stations[worker]++;
            return worker;
        }
    }

    /// <summary>A station placed by <see cref="Place"/> closed.</summary>
    public void Release(string roomId)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(roomId, out var room))
                return;
            _stations[room.Worker]--;
            if (room.Stations <= 1)
                _rooms.Remove(roomId);
            else
                _rooms[roomId] = (room.Worker, room.Stations - 1);
        }
    }

    /// <summary>The worker that holds <paramref name="roomId"/>'s stations, or -1.</summary>
    public int WorkerOf(string roomId)
    {
        lock (_gate)
            return _rooms.TryGetValue(roomId, out var room) ? room.Worker : -1;
    }

    private int LeastLoaded()
    {
        int best = 0;
        int bestPeers = _peersOf(0);
        for (int i = 1; i < _stations.Length; i++)
        {
            int peers = _peersOf(i);
            if (peers < bestPeers || (peers == bestPeers && _stations[i] < _stations[best]))
            {
                best = i;
                bestPeers = peers;
            }
        }
        return best;
    }
}
