namespace Kernel.sync
{
    // sync/mod.rs: WaitCondition (wait_condition.cs), WaitMap (wait_map.cs), WaitQueue (wait_queue.cs).
}
