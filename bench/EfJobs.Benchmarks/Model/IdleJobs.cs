namespace EfJobs.Benchmarks.Model;

// Ten payload-less job types for the idle scenario, which measures what a runner with many registered types sends to
// an empty database. They differ only in name (and so in table), so they share one file.
public class IdleJob0 : JobBase { }
public class IdleJob1 : JobBase { }
public class IdleJob2 : JobBase { }
public class IdleJob3 : JobBase { }
public class IdleJob4 : JobBase { }
public class IdleJob5 : JobBase { }
public class IdleJob6 : JobBase { }
public class IdleJob7 : JobBase { }
public class IdleJob8 : JobBase { }
public class IdleJob9 : JobBase { }
