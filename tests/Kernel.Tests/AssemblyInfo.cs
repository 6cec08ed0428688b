using Xunit;

// The port's kernel state is global (statics, as in the original: the context list, the current context id, the
// scheme list, the frame allocator). Test classes that touch it cannot run side by side: one class's contexts
// would be another's, and a blocking waitpid could wait forever for a child another class removed.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
