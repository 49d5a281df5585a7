// blessed and blessed-contrib ship no types; mq top --charts uses a handful of their calls.
declare module 'blessed' {
  const blessed: any;
  export default blessed;
}
declare module 'blessed-contrib' {
  const contrib: any;
  export default contrib;
}
